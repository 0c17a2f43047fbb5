// PurgeCSS (npm, pinned in package.json): Bootstrap's stylesheet cut to the classes Xã Số
// uses, run by scripts/vendor.sh from the repository root. Words are taken from the templates,
// the Python code (status badges, button styles: "text-bg-warning" returned by a helper), our
// JavaScript, and the scripts that add classes themselves (Bootstrap's own: show, collapsing,
// modal-backdrop…; Tom Select; htmx). What is built from pieces ("alert-" + a flash category)
// or added by a library at run time is kept by the safelist below.
export default {
  content: [
    "templates/**/*.html",
    "docmgmt/**/*.py",
    "meetings/**/*.py",
    "docmgmt/static/*.js",
    "docmgmt/static/js/**/*.js",
    "docmgmt/static/meetings/**/*.js",
    "node_modules/bootstrap/dist/js/bootstrap.bundle.js",
    "node_modules/tom-select/dist/js/tom-select.complete.js",
    "node_modules/htmx.org/dist/htmx.js",
  ],
  css: ["node_modules/bootstrap/dist/css/bootstrap.min.css"],
  safelist: {
    standard: [
      "show", "showing", "hiding", "collapsing", "collapsed", "fade", "active", "disabled", "focus",
      "is-invalid", "is-valid", "was-validated", "invalid-feedback", "valid-feedback",
      /^alert-/, /^dropdown/, /^modal/,
      /^offcanvas/, /^tooltip/, /^popover/, /^bs-/, /^toast/, /^spinner-/, /^visually-hidden/,
    ],
  },
};
