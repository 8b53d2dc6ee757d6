// Required once by a pre-booted blank runtime while it waits for its function, so that the
// CommonJS loader's first-use costs (~1–5 ms) are paid before Init, not during it.
module.exports = {};
