export function registerPlaygroundTests() {}
