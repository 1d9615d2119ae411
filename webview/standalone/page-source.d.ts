// The bundled standalone page as text (webview/standalone/build.mjs inlines it).
declare module 'standalone-page-source' {
  const source: string;
  export default source;
}
