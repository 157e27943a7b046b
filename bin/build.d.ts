export declare const bundleFile: string;
/** tsc -p tsconfig.build.json: null, or what tsc reported (dist/ is written anyway). */
export declare function compile(): string | null;
/** esbuild: src/cli/main.ts and all it may load into dist/herold.cjs. */
export declare function bundle(): Promise<void>;
