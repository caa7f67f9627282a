"""The forms of Circular 03/2025/TT-VPCP: what each says (``content``) and the PDF
(``pdf``, ReportLab with embedded DejaVu Serif, barcode and QR code)."""
