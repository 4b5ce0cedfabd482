// plat_web_page.js - the calls the browser platform (plat_web.c) makes into the page: each is
// a function the page may define on Module (web/page.js does).
mergeInto(LibraryManager.library, {
  plat_web_page_download: function (path, mime, name) {
    if (Module.rnnscopeDownload)
      Module.rnnscopeDownload(UTF8ToString(path), UTF8ToString(mime), UTF8ToString(name));
  },
  plat_web_page_changed: function () {
    if (Module.rnnscopeChanged) Module.rnnscopeChanged();
  },
  plat_web_page_first_frame: function () {
    if (Module.rnnscopeFirstFrame) Module.rnnscopeFirstFrame();
  },
});
