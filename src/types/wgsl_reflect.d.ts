// wgsl_reflect's Node entry is CommonJS under "type": "module"; the ES module build is imported
// directly everywhere, with the package's own types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
