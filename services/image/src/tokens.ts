/** Injection tokens of the image service. */
export const UPLOAD_DEPS = Symbol('UploadDeps');
