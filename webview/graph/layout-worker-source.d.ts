// The bundled layout worker without ELK as text (webview/build.mjs inlines it), started from a Blob.
declare module 'fast-layout-worker-source' {
  const source: string;
  export default source;
}
