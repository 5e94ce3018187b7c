export function miniBrowserPath(): string;
export function webkitCapabilities(): {
  browserName: string;
  'wdio:enforceWebDriverClassic': boolean;
  'webkitgtk:browserOptions': { binary: string; args: string[] };
};
export function startWebKitDriver(): Promise<{
  hostname: string;
  port: number;
  display: string;
  close: () => Promise<void>;
}>;
