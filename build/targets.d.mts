/** Types of build/targets.mjs, for the TypeScript tests that build the same bundles. */
import type { BuildOptions } from 'esbuild';

/** One esbuild bundle: a name for messages and the options passed to esbuild. */
export interface BundleTarget {
  name: string;
  options: BuildOptions & { entryPoints: [string]; outfile: string };
}

export const MAIN_BUNDLE: BundleTarget;
export const PRELOAD_BUNDLE: BundleTarget;
export const TESTHOST_SERVER_BUNDLE: BundleTarget;
export const TESTHOST_BRIDGE_BUNDLE: BundleTarget;
export const ESBUILD_BUNDLES: readonly BundleTarget[];
