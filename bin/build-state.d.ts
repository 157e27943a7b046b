export declare const builtEntry: string;
export declare const bundleFile: string;
export declare const buildStamp: string;
export declare function buildIsCurrent(): boolean;
