/* rnnscope in the browser: the page around the app's canvas.
 *
 * Builds the program's arguments from the URL, defines `Module` (emscripten's settings and
 * the functions the C side calls back) and `window.rnnscope`, then loads rnnscope.js.
 * Everything inside the canvas is drawn by the app; this file adds what a browser needs:
 * a hidden text field for typing (Korean input methods included), opening a model file
 * from the picker or by drag and drop, touch buttons and swipes, downloads, resizing, and
 * keeping the URL in step with the view so that it can be shared.
 *
 *   window.rnnscope.ready                 a Promise, resolved when the first frame is drawn
 *   window.rnnscope.trace(modelJson, s)   the same JSON text as `rnnscope trace --format json`
 */
(function () {
  'use strict';

  /* The numbers rnnscope_web_key understands. */
  var KEY = {RIGHT: 1, LEFT: 2, ENTER: 16, ESCAPE: 17, BACKSPACE: 18, NEXT_STEP: 25, PREV_STEP: 26};

  var canvas = document.getElementById('canvas');
  var field = document.getElementById('text-field');
  var loading = document.getElementById('loading');
  var loadingText = document.getElementById('loading-text');
  var dropHint = document.getElementById('drop-hint');
  var fileInput = document.getElementById('open-file');
  var prevButton = document.getElementById('step-prev');
  var nextButton = document.getElementById('step-next');

  var started = false;  /* the first frame has been drawn: the app takes calls */
  var stopped = false;  /* the program ended or failed */
  var resolveReady, rejectReady;
  var ready = new Promise(function (resolve, reject) {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(function () {}); /* a failure is shown on the page; awaiting callers still see it */

  /* ---------- Sizes ---------- */

  function pixelRatio() {
    var r = window.devicePixelRatio;
    return r > 0 && isFinite(r) ? r : 1;
  }

  /* The app's layout needs about this much room, in its own pixels: on a smaller screen (a
   * phone) it is drawn smaller rather than cut off. */
  var LAYOUT_MIN_WIDTH = 720;
  var LAYOUT_MIN_HEIGHT = 480;

  /* The canvas's size in device pixels, and the zoom that keeps text at its CSS size (or
   * smaller, on screens narrower than the layout needs). */
  function deviceSize() {
    var box = canvas.getBoundingClientRect();
    var cssW = box.width || window.innerWidth || 1;
    var cssH = box.height || window.innerHeight || 1;
    var ratio = pixelRatio();
    var fit = Math.min(1, cssW / LAYOUT_MIN_WIDTH, cssH / LAYOUT_MIN_HEIGHT);
    return {
      width: Math.max(1, Math.round(cssW * ratio)),
      height: Math.max(1, Math.round(cssH * ratio)),
      zoom: Math.max(0.5, Math.round(ratio * fit * 10000) / 10000)
    };
  }

  /* CSS pixels per pixel of the app's layout (1 unless the screen is small). */
  function layoutScale() {
    var size = deviceSize();
    return size.zoom / pixelRatio();
  }

  /* The hidden text field sits over the sentence strip (y 60..95 in the app's layout). */
  function placeField() {
    var scale = layoutScale();
    field.style.top = Math.round(60 * scale) + 'px';
    field.style.left = Math.round(12 * scale) + 'px';
  }

  /* ---------- The program's arguments, from the URL ---------- */

  function browserLanguage() {
    var langs = navigator.languages && navigator.languages.length ? navigator.languages
                                                                  : [navigator.language || ''];
    return String(langs[0] || '').toLowerCase().indexOf('ko') === 0 ? 'ko' : 'en';
  }

  /* A whole number >= 0 from a query parameter, or null. */
  function count(value) {
    if (value === null || !/^\s*\d{1,9}\s*$/.test(value)) return null;
    return parseInt(value, 10);
  }

  function programArguments(query, size) {
    /* the language: the address's, else a lesson's own, else the browser's */
    var asked = query.get('lang');
    if (asked !== 'en' && asked !== 'ko') asked = null;
    var lang = asked || browserLanguage();
    var lesson = query.get('lesson');
    var model = query.get('model');
    var args;
    if (lesson && /^[a-z]{2}\/[A-Za-z0-9_-]{1,64}$/.test(lesson)) {
      var step = count(query.get('step'));
      args = ['lesson', lesson, '--lesson-step', String(step === null ? 0 : step)];
      if (asked) args.push('--lang', asked);
      lang = asked || lesson.slice(0, 2);
    } else if (model && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(model)) {
      args = ['open', '--model', '/assets/models/' + model + '.json'];
      var text = query.get('text');
      if (text) args.push('--text', text);
      var t = count(query.get('t'));
      if (t !== null) args.push('--step', String(t));
      args.push('--lang', lang);
    } else {
      args = ['--lang', lang];
    }
    pageLanguage(lang);
    args.push('--size', size.width + 'x' + size.height, '--zoom', String(size.zoom));
    return args;
  }

  /* ---------- Calls into the app ---------- */

  function call(name, returnType, argTypes, args) {
    if (!started || stopped) return null;
    return Module.ccall(name, returnType, argTypes, args);
  }

  function sendKey(key) {
    call('rnnscope_web_key', null, ['number'], [key]);
  }

  function sendText(text) {
    if (text) call('rnnscope_web_text', null, ['string'], [text]);
  }

  function sendComposition(text) {
    call('rnnscope_web_composition', null, ['string'], [text || '']);
  }

  /* Calls a C function taking two strings and returning one, with the strings on the heap
   * (a model file can be larger than the stack that ccall would put it on). */
  function callWithHeapStrings(name, a, b) {
    var pointers = [];
    try {
      [a, b].forEach(function (s) {
        var n = Module.lengthBytesUTF8(s) + 1;
        var p = Module._malloc(n);
        if (!p) throw new Error('out of memory');
        pointers.push(p);
        Module.stringToUTF8(s, p, n);
      });
      return Module.ccall(name, 'string', ['number', 'number'], pointers);
    } finally {
      pointers.forEach(function (p) { Module._free(p); });
    }
  }

  /* ---------- The page's own words, in the interface's language ---------- */

  var WORDS = {
    en: {loading: 'Loading…', open: 'Open model…', openTitle: 'Open a model file (.json)',
         saved: 'Saved in this browser…', savedTitle: 'Models trained and saved (W) in this browser',
         drop: 'Drop a model file (.json) to open it', prev: 'Previous step', next: 'Next step',
         sentence: 'Sentence'},
    ko: {loading: '불러오는 중…', open: '모델 열기…', openTitle: '모델 파일(.json) 열기',
         saved: '이 브라우저에 저장한 모델…', savedTitle: '이 브라우저에서 학습해 저장(W)한 모델',
         drop: '모델 파일(.json)을 끌어다 놓으면 열립니다', prev: '이전 단계', next: '다음 단계',
         sentence: '문장'}
  };
  var pageLang = '';

  function pageLanguage(lang) {
    if (lang !== 'ko') lang = 'en';
    if (lang === pageLang) return;
    pageLang = lang;
    var w = WORDS[lang];
    document.documentElement.lang = lang;
    var openButton = document.getElementById('open-button');
    if (openButton && openButton.firstChild) openButton.firstChild.nodeValue = w.open;
    if (openButton) openButton.title = w.openTitle;
    var saved = document.getElementById('saved-models');
    if (saved) {
      saved.title = w.savedTitle;
      if (saved.options.length) saved.options[0].textContent = w.saved;
    }
    dropHint.textContent = w.drop;
    prevButton.setAttribute('aria-label', w.prev);
    nextButton.setAttribute('aria-label', w.next);
    field.setAttribute('aria-label', w.sentence);
    if (!started && !stopped) loadingText.textContent = w.loading;
  }

  /* ---------- The URL follows the view ---------- */

  var urlTimer = 0;
  var inLesson = /[?&]lesson=/.test(location.search); /* then the step buttons have a use */

  function viewQuery(state) {
    var query = new URLSearchParams();
    if (state.lang) query.set('lang', state.lang);
    if (state.lesson !== undefined && state.lesson !== null) {
      query.set('lesson', String(state.lesson));
      query.set('step', String(state.step === undefined || state.step === null ? 0 : state.step));
    } else if (state.model !== undefined && state.model !== null) {
      query.set('model', String(state.model));
      if (state.text !== undefined && state.text !== null && state.text !== '')
        query.set('text', String(state.text));
      if (state.t !== undefined && state.t !== null) query.set('t', String(state.t));
    }
    return query.toString();
  }

  function updateUrl() {
    urlTimer = 0;
    var json = call('rnnscope_web_state', 'string', [], []);
    if (!json) return;
    var state;
    try {
      state = JSON.parse(json);
    } catch (e) {
      console.warn('rnnscope: the view state is not JSON: ' + json);
      return;
    }
    inLesson = state.lesson !== undefined && state.lesson !== null;
    if (state.lang) pageLanguage(state.lang); /* Shift+L switches the page's words too */
    showTouchButtons();
    var search = viewQuery(state);
    search = search ? '?' + search : '';
    if (search !== location.search)
      history.replaceState(history.state, '', location.pathname + search + location.hash);
  }

  /* Called often (every step while playing): the URL is written at most every 200 ms. */
  function viewChanged() {
    if (!urlTimer) urlTimer = setTimeout(updateUrl, 200);
  }

  /* ---------- Loading and failure ---------- */

  function setStatus(text) {
    if (!started && !stopped && text) loadingText.textContent = text;
  }

  function fail(message) {
    if (stopped) return;
    stopped = true;
    loading.classList.remove('done');
    loading.classList.add('failed');
    loadingText.textContent = message;
    rejectReady(new Error(message));
  }

  function firstFrame() {
    if (started) return;
    started = true;
    loading.classList.add('done');
    window.rnnscope.firstFrameMs = performance.now();
    resolveReady();
    requestAnimationFrame(poll);
    viewChanged();
    loadTrainingData();
  }

  /* The training data (what live training reads) comes after the first frame: the page shows
   * itself first. rnnscope-train.js puts the files into /assets/data when they arrive. */
  function loadTrainingData() {
    var script = document.createElement('script');
    script.src = 'rnnscope-train.js';
    script.async = true;
    script.onerror = function () {
      console.warn('rnnscope: the training data could not be loaded; live training needs it');
    };
    document.body.appendChild(script);
  }

  /* ---------- Downloads ---------- */

  function asString(value) {
    return typeof value === 'number' ? Module.UTF8ToString(value) : String(value);
  }

  function download(path, mime, name) {
    path = asString(path);
    mime = asString(mime || 'application/octet-stream');
    name = asString(name || path.replace(/^.*\//, ''));
    var bytes = Module.FS.readFile(path);
    var url = URL.createObjectURL(new Blob([bytes], {type: mime}));
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  /* ---------- Saved in this browser ---------- */

  var savedList = document.getElementById('saved-models');

  /* Writes /persist back to the browser's storage (after the app wrote a file there). */
  function persist() {
    try {
      Module.FS.syncfs(false, function (err) {
        if (err) console.warn('rnnscope: the browser storage could not be written: ' + err);
        listSaved();
      });
    } catch (e) {
      console.warn('rnnscope: the browser storage could not be written: ' + e);
    }
  }

  /* The models the app wrote (W), in a menu that opens them again. */
  function listSaved() {
    if (!savedList) return;
    var names = [];
    try {
      names = Module.FS.readdir('/persist').filter(function (n) { return /\.json$/.test(n); });
    } catch (e) { /* no storage */ }
    while (savedList.options.length > 1) savedList.remove(1);
    names.sort().forEach(function (n) {
      var o = document.createElement('option');
      o.value = '/persist/' + n;
      o.textContent = n;
      savedList.appendChild(o);
    });
    savedList.hidden = names.length === 0;
  }

  if (savedList) {
    savedList.addEventListener('change', function () {
      if (!savedList.value) return;
      call('rnnscope_web_open_file', null, ['string'], [savedList.value]);
      savedList.value = '';
      focusCanvas();
    });
  }

  /* ---------- Typing: the hidden text field ---------- */

  var composing = false;
  var gestureFocusUntil = 0; /* a tap focused the field before the app started editing */

  function focusCanvas() {
    try {
      canvas.focus({preventScroll: true});
    } catch (e) {
      canvas.focus();
    }
  }

  function flushField() {
    var text = field.value;
    field.value = '';
    sendText(text);
  }

  field.addEventListener('compositionstart', function () {
    composing = true;
  });
  field.addEventListener('compositionupdate', function (e) {
    sendComposition(e.data);
  });
  field.addEventListener('compositionend', function (e) {
    composing = false;
    var text = field.value || e.data || '';
    field.value = '';
    sendText(text);
    sendComposition('');
  });
  field.addEventListener('input', function (e) {
    if (e.isComposing || composing) return;
    flushField();
  });
  /* The app must not see keys typed into the field as well (SDL listens on the window). */
  field.addEventListener('keydown', function (e) {
    e.stopPropagation();
    if (e.isComposing || composing || e.keyCode === 229) return; /* the input method's */
    var key = 0;
    switch (e.key) {
    case 'Enter':
    case 'Tab': /* as on the desktop, Tab ends editing too */
      key = KEY.ENTER;
      break;
    case 'Escape':
      key = KEY.ESCAPE;
      break;
    case 'Backspace':
      if (!field.value) key = KEY.BACKSPACE;
      break;
    }
    if (!key) return;
    e.preventDefault();
    flushField();
    sendKey(key);
  });
  field.addEventListener('keyup', function (e) { e.stopPropagation(); });
  field.addEventListener('keypress', function (e) { e.stopPropagation(); });

  /* Each frame: the field has the focus exactly while the app edits a sentence. */
  function poll() {
    if (stopped) return;
    var editing = call('rnnscope_web_editing', 'number', [], []) === 1;
    var focused = document.activeElement === field;
    if (editing && !focused) {
      field.value = '';
      composing = false;
      try {
        field.focus({preventScroll: true});
      } catch (e) {
        field.focus();
      }
    } else if (!editing && focused && performance.now() > gestureFocusUntil) {
      field.blur();
      field.value = '';
      focusCanvas();
    }
    requestAnimationFrame(poll);
  }

  /* ---------- Opening a model file ---------- */

  function safeFileName(name) {
    var base = String(name || 'model.json').replace(/^.*[\\/]/, '');
    base = base.replace(/[^A-Za-z0-9._\- \u00A0-\uFFFF]/g, '_').replace(/^\.+/, '');
    return base || 'model.json';
  }

  function openFile(file) {
    if (!file) return;
    ready.then(function () {
      return file.arrayBuffer();
    }).then(function (buffer) {
      var FS = Module.FS;
      try {
        FS.mkdir('/upload');
      } catch (e) { /* it exists */ }
      var path = '/upload/' + safeFileName(file.name);
      FS.writeFile(path, new Uint8Array(buffer));
      call('rnnscope_web_open_file', null, ['string'], [path]);
      focusCanvas();
    }).catch(function (e) {
      console.warn('rnnscope: could not open ' + file.name + ': ' + e);
    });
  }

  /* Ctrl+O (Cmd+O) opens the browser's file picker, as it opens a file on the desktop. */
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === 'o' || e.key === 'O') &&
        e.target !== field) {
      e.preventDefault();
      e.stopPropagation();
      fileInput.click();
    }
  }, true);

  fileInput.addEventListener('change', function () {
    var file = fileInput.files && fileInput.files[0];
    openFile(file);
    fileInput.value = '';
  });

  function hasFiles(e) {
    var types = e.dataTransfer && e.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') >= 0;
  }

  var dragDepth = 0;
  document.addEventListener('dragenter', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth++;
    dropHint.hidden = false;
  });
  document.addEventListener('dragover', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', function (e) {
    if (!hasFiles(e)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) dropHint.hidden = true;
  });
  document.addEventListener('drop', function (e) {
    dragDepth = 0;
    dropHint.hidden = true;
    if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
    e.preventDefault();
    e.stopPropagation();
    openFile(e.dataTransfer.files[0]);
  }, true);

  /* ---------- Touch: step buttons and swipes ---------- */

  var coarse = window.matchMedia && window.matchMedia('(pointer: coarse)');

  /* On touch screens, during a lesson: the buttons for its previous and next step. */
  function showTouchButtons() {
    var touch = !!(coarse && coarse.matches) && inLesson;
    prevButton.hidden = !touch;
    nextButton.hidden = !touch;
  }
  showTouchButtons();
  if (coarse) {
    if (coarse.addEventListener) coarse.addEventListener('change', showTouchButtons);
    else if (coarse.addListener) coarse.addListener(showTouchButtons);
  }

  function stepButton(button, key) {
    button.addEventListener('click', function (e) {
      e.preventDefault();
      sendKey(key);
      focusCanvas();
    });
  }
  stepButton(prevButton, KEY.PREV_STEP);
  stepButton(nextButton, KEY.NEXT_STEP);

  /* Touches on the canvas are the page's: SDL's own touch handling presses the mouse where
   * a finger lands, so a swipe would also click (and select) the cell it started on. A tap
   * becomes a click at its place; a horizontal swipe steps one word. */
  var swipe = null;

  function mouse(type, x, y) {
    canvas.dispatchEvent(new MouseEvent(type, {
      clientX: x, clientY: y, screenX: x, screenY: y, button: 0,
      buttons: type === 'mousedown' ? 1 : 0, bubbles: true, cancelable: true, view: window
    }));
  }

  function focusFieldInGesture() {
    gestureFocusUntil = performance.now() + 400;
    try {
      field.focus({preventScroll: true});
    } catch (err) {
      field.focus();
    }
  }

  function onCanvasTouch(e) {
    if (e.target !== canvas) return;
    e.stopPropagation();
    if (e.cancelable) e.preventDefault(); /* and no emulated mouse events from the browser */
    if (e.type === 'touchstart') {
      swipe = e.touches.length === 1
        ? {x: e.touches[0].clientX, y: e.touches[0].clientY, time: performance.now()} : null;
      return;
    }
    if (e.type !== 'touchend') {
      if (e.type === 'touchcancel' || (swipe && e.touches.length > 1)) swipe = null;
      return;
    }
    if (!swipe || e.touches.length || e.changedTouches.length !== 1) return;
    var start = swipe;
    swipe = null;
    var x = e.changedTouches[0].clientX, y = e.changedTouches[0].clientY;
    var dx = x - start.x, dy = y - start.y;
    if (Math.abs(dx) > 50 && Math.abs(dx) > 2 * Math.abs(dy)) {
      sendKey(dx < 0 ? KEY.RIGHT : KEY.LEFT); /* the words move with the finger */
    } else if (Math.abs(dx) < 12 && Math.abs(dy) < 12 && performance.now() - start.time < 800) {
      mouse('mousemove', start.x, start.y);
      mouse('mousedown', start.x, start.y);
      mouse('mouseup', start.x, start.y);
      /* A tap on the sentence strip starts editing in the app: open the on-screen keyboard
       * now, inside the tap, which is the only time a browser allows it. */
      var scale = layoutScale();
      if (start.y >= 40 * scale && start.y <= 110 * scale) focusFieldInGesture();
    }
  }
  ['touchstart', 'touchmove', 'touchend', 'touchcancel'].forEach(function (type) {
    window.addEventListener(type, onCanvasTouch, {capture: true, passive: false});
  });
  canvas.addEventListener('contextmenu', function (e) { e.preventDefault(); });

  /* ---------- Resizing ---------- */

  var resizeFrame = 0;
  var lastSize = '';

  function resized() {
    resizeFrame = 0;
    var size = deviceSize();
    var key = size.width + 'x' + size.height + '@' + size.zoom;
    if (key === lastSize) return;
    lastSize = key;
    placeField();
    call('rnnscope_web_resize', null, ['number', 'number', 'number'],
         [size.width, size.height, size.zoom]);
  }

  function scheduleResize() {
    if (!resizeFrame) resizeFrame = requestAnimationFrame(resized);
  }
  window.addEventListener('resize', scheduleResize);
  if (window.visualViewport) window.visualViewport.addEventListener('resize', scheduleResize);

  /* A change of devicePixelRatio (browser zoom, another screen) without a resize event. */
  function watchPixelRatio() {
    if (!window.matchMedia) return;
    var query = window.matchMedia('(resolution: ' + pixelRatio() + 'dppx)');
    var changed = function () {
      if (query.removeEventListener) query.removeEventListener('change', changed);
      scheduleResize();
      watchPixelRatio();
    };
    if (query.addEventListener) query.addEventListener('change', changed);
  }
  watchPixelRatio();

  /* ---------- window.rnnscope ---------- */

  window.rnnscope = {
    ready: ready,
    /* The trace of a model (its JSON file's text) on a sentence: the same JSON text as
     * `rnnscope trace --format json`, as a string; {"error": "..."} when it cannot run. */
    trace: function (modelJsonText, sentence) {
      if (!started) throw new Error('rnnscope is not ready yet: await rnnscope.ready first');
      if (stopped) throw new Error('rnnscope has stopped');
      return callWithHeapStrings('rnnscope_web_trace', String(modelJsonText), String(sentence));
    },
    firstFrameMs: null
  };

  /* ---------- emscripten's Module, then the program ---------- */

  var size = deviceSize();
  placeField();
  lastSize = size.width + 'x' + size.height + '@' + size.zoom;
  canvas.width = size.width;
  canvas.height = size.height;

  var Module = window.Module = {
    canvas: canvas,
    arguments: programArguments(new URLSearchParams(location.search), size),
    noInitialRun: false,
    print: function () {
      console.log(Array.prototype.join.call(arguments, ' '));
    },
    /* The program's stderr: messages for people, shown but not as page errors. */
    printErr: function () {
      console.warn(Array.prototype.join.call(arguments, ' '));
    },
    setStatus: setStatus,
    onAbort: function (what) {
      fail('rnnscope stopped: ' + (what === undefined ? 'an internal error' : what) +
           '. Reloading the page starts it again.');
    },
    onExit: function () {
      fail('rnnscope has ended. Reloading the page starts it again.');
    },
    rnnscopeFirstFrame: firstFrame,
    rnnscopeDownload: function (path, mime, name) {
      try {
        download(path, mime, name);
      } catch (e) {
        console.warn('rnnscope: could not download ' + asString(path) + ': ' + e);
      }
      persist();
    },
    /* Before main: the files written by the app (trained models, screenshots) go to /persist,
     * kept in the browser's storage (IndexedDB) across visits; the app finds its shipped
     * models and lessons at / whatever the current directory. */
    preRun: [function () {
      Module.ENV.RNNSCOPE_DATA_DIR = '/';
      var FS = Module.FS;
      try { FS.mkdir('/persist'); } catch (e) { /* there already */ }
      FS.mount(Module.IDBFS || FS.filesystems.IDBFS, {}, '/persist');
      Module.addRunDependency('persist');
      FS.syncfs(true, function (err) {
        if (err) console.warn('rnnscope: the browser storage could not be read: ' + err);
        FS.chdir('/persist');
        Module.removeRunDependency('persist');
        listSaved();
      });
    }],
    rnnscopeChanged: viewChanged
  };

  if (typeof WebAssembly !== 'object') {
    fail('This browser cannot run WebAssembly, which rnnscope needs.');
    return;
  }

  setStatus(WORDS[pageLang || 'en'].loading);
  focusCanvas();
  var script = document.createElement('script');
  script.src = 'rnnscope.js';
  script.async = true;
  script.onerror = function () {
    fail('rnnscope.js could not be loaded. Check the connection and reload the page.');
  };
  document.body.appendChild(script);
})();
