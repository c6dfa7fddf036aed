// Peers for the benchmark: treegrad's computation written with other libraries.
export { type TfjsBackend, type TfjsModel, initTfjs, tfjsModel } from './tfjs.ts';
export { type TfjsAgreement, tfjsAgreement } from './check.ts';
