# motcua: make demo | make test | make lint | make bench
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-deps clean env system-deps ocr-deps fonts

# Debian packages the tests use: the browser Playwright drives, PDF and QR tools, a font
# and nginx, the load balancer of the two-server test
SYSTEM_PACKAGES := chromium poppler-utils zbar-tools fonts-dejavu-core fonts-dejavu-extra nginx-light \
	softhsm2
# what reading scans needs, the demo included: Tesseract with its Vietnamese model,
# Ghostscript for PDF/A, Poppler for the text and the blank-page check
OCR_PACKAGES := tesseract-ocr tesseract-ocr-vie ghostscript poppler-utils
FONT_DIR := /usr/share/fonts/truetype/dejavu
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# PyICU compiles against ICU's headers: Debian's libicu-dev, found by pkg-config
BUILD_PACKAGES := libicu-dev pkg-config g++

$(STAMP): pyproject.toml
	@if ! pkg-config --exists icu-i18n 2>/dev/null || ! command -v g++ >/dev/null; then \
	  echo "Installing $(BUILD_PACKAGES) from Debian"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BUILD_PACKAGES); \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

env: $(STAMP)

ocr-deps:
	@if ! command -v gs >/dev/null || ! command -v pdftotext >/dev/null \
	    || ! ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1; then \
	  echo "Installing $(OCR_PACKAGES) from Debian"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(OCR_PACKAGES); \
	fi

system-deps: ocr-deps
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! command -v zbarimg >/dev/null || [ ! -x /usr/sbin/nginx ] \
	    || ! command -v softhsm2-util >/dev/null \
	    || [ ! -f $(FONT_DIR)/DejaVuSerif-Italic.ttf ]; then \
	  echo "Installing $(SYSTEM_PACKAGES) from Debian"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

# the printed forms embed DejaVu Serif from Debian's fonts-dejavu packages
fonts:
	@if [ ! -f $(FONT_DIR)/DejaVuSerif-Italic.ttf ]; then \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-dejavu-core fonts-dejavu-extra; \
	fi

demo: $(STAMP) fonts ocr-deps
	$(BIN)/motcua demo --port $${PORT:-8000} --data-dir $${MOTCUA_DATA_DIR:-var}

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# wrk drives the HTTP benchmark (bench_http.py) from a second process
bench-deps:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; }

bench: $(STAMP) bench-deps
	$(BIN)/python benchmarks/bench_calendar.py
	$(BIN)/python benchmarks/bench_lifecycle.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_http.py

clean:
	rm -rf $(VENV) var .pytest_cache
