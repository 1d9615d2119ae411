// The bundled layout worker as text (webview/build.mjs inlines it), started from a Blob.
declare module 'layout-worker-source' {
  const source: string;
  export default source;
}
