// "Chữ lớn, tương phản cao": switch in place, so a tracking result or a half-filled form
// is not lost; the cookie keeps the choice for the next pages. Without script, the link
// goes through /tuong-phan and back to the same address.
(function () {
  var link = document.getElementById("tuong-phan");
  if (!link) return;
  link.addEventListener("click", function (event) {
    event.preventDefault();
    var on = !document.documentElement.classList.contains("tuong-phan-cao");
    document.documentElement.classList.toggle("tuong-phan-cao", on);
    document.body.classList.toggle("tuong-phan-cao", on);
    document.cookie = "tuong_phan=" + (on ? "cao" : "thuong") + "; path=/; max-age=31536000; samesite=lax";
    link.textContent = on ? "Chế độ thường" : "Chữ lớn, tương phản cao";
    link.href = "/tuong-phan?bat=" + (on ? 0 : 1) + "&ve=" + encodeURIComponent(location.pathname + location.search);
  });
})();
