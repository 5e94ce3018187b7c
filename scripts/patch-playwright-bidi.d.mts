export function assertPlaywrightBidiPatched(): void;
