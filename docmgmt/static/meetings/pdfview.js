// Xã Số, one PDF page on a canvas with pdf.js (loaded on first use, as an ES module;
// its worker runs from the same origin, which the Content-Security-Policy allows).
//
// The viewer's root element carries what it shows: data-file-id, data-page and
// data-pages are set once the page is on screen.

import { t } from "./live.js";

let library = null;

function pdfjs(moduleUrl, workerUrl) {
  if (!library) {
    library = import(moduleUrl).then(function (lib) {
      lib.GlobalWorkerOptions.workerSrc = workerUrl;
      return lib;
    });
    library.catch(function () { library = null; });
  }
  return library;
}

export class PdfViewer {
  // root: the viewer element; options: {moduleUrl, workerUrl, dataUrl, fit: "width" | "contain"}.
  // The root gets the class has-document while it shows (or loads) one.
  constructor(root, options) {
    this.root = root;
    this.options = options;
    this.stage = root.querySelector("[data-stage]") || root;
    this.message = root.querySelector("[data-viewer-message]");
    this.documents = new Map(); // url → Promise<PDFDocumentProxy>
    this.token = 0;
    this.task = null;
    this.pending = null; // {fileId, page, width, promise} being drawn
    this.shown = { fileId: null, page: null, width: 0 };
  }

  say(text) {
    if (this.message) {
      this.message.textContent = text || "";
      this.message.hidden = !text;
    }
  }

  clear(text) {
    this.token += 1;
    this.pending = null;
    this.stage.replaceChildren();
    this.root.classList.remove("has-document");
    this.shown = { fileId: null, page: null, width: 0 };
    delete this.root.dataset.fileId;
    delete this.root.dataset.page;
    delete this.root.dataset.pages;
    this.say(text);
  }

  load(lib, url) {
    let promise = this.documents.get(url);
    if (!promise) {
      const data = this.options.dataUrl; // vendor/pdfjs/: cmaps/, standard_fonts/, wasm/
      promise = lib.getDocument({
        url: url, isEvalSupported: false, withCredentials: true,
        cMapUrl: data && data + "cmaps/", cMapPacked: true,
        standardFontDataUrl: data && data + "standard_fonts/", wasmUrl: data && data + "wasm/",
      }).promise;
      this.documents.set(url, promise);
      promise.catch(() => { this.documents.delete(url); });
    }
    return promise;
  }

  // Shows page `page` of `doc` ({file_id, url, mime, title}); resolves to {page, pages}
  // (the page clamped to the document), or null when something newer was asked for.
  async show(doc, page, force) {
    if (!doc) { this.clear(""); return null; }
    this.root.classList.add("has-document"); // the stage takes its full size before it is measured
    const width = this.stage.clientWidth || 800;
    if (!force && this.shown.fileId === doc.file_id && this.shown.page === page &&
        Math.abs(this.shown.width - width) < 2) {
      return { page: page, pages: Number(this.root.dataset.pages) || null };
    }
    // The same page already on its way (the state changes often: presence, votes…).
    if (!force && this.pending && this.pending.fileId === doc.file_id && this.pending.page === page &&
        this.pending.width === width) {
      return this.pending.promise;
    }
    const token = ++this.token;
    const pending = { fileId: doc.file_id, page: page, width: width };
    pending.promise = this.draw(doc, page, width, token).finally(() => {
      if (this.pending === pending) { this.pending = null; }
    });
    this.pending = pending;
    return pending.promise;
  }

  async draw(doc, page, width, token) {
    if (doc.mime && doc.mime !== "application/pdf") {
      this.stage.replaceChildren();
      this.say(t("Tệp này không phải PDF: hãy mở tệp để xem."));
      return null;
    }
    if (this.shown.fileId !== doc.file_id) { this.say(t("Đang tải tài liệu…")); }
    try {
      const lib = await pdfjs(this.options.moduleUrl, this.options.workerUrl);
      const pdf = await this.load(lib, doc.url);
      if (token !== this.token) { return null; }
      const number = Math.min(Math.max(1, page || 1), pdf.numPages);
      const pdfPage = await pdf.getPage(number);
      if (token !== this.token) { return null; }
      const base = pdfPage.getViewport({ scale: 1 });
      let scale = width / base.width;
      if (this.options.fit === "contain" && this.stage.clientHeight) {
        scale = Math.min(scale, this.stage.clientHeight / base.height);
      }
      const ratio = window.devicePixelRatio || 1;
      const viewport = pdfPage.getViewport({ scale: scale * ratio });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.className = "pdf-page";
      canvas.setAttribute("aria-label", t("%(title)s, trang %(page)s", { title: doc.title || t("Tài liệu"), page: number }));
      if (this.task) { this.task.cancel(); }
      this.task = pdfPage.render({ canvas: canvas, viewport: viewport });
      await this.task.promise;
      if (token !== this.token) { return null; }
      this.stage.replaceChildren(canvas);
      this.say("");
      this.shown = { fileId: doc.file_id, page: number, width: width };
      this.root.dataset.fileId = String(doc.file_id);
      this.root.dataset.page = String(number);
      this.root.dataset.pages = String(pdf.numPages);
      return { page: number, pages: pdf.numPages };
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") { return null; }
      if (token === this.token) {
        this.stage.replaceChildren();
        this.say(t("Không mở được tài liệu này."));
      }
      return null;
    }
  }
}
