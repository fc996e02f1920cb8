// The native dialogs main shows, as an interface: Electron's dialog module in the app, a test's
// chosen answers in the browser-mode e2e (the only part of the app a browser cannot provide).
// Paths that main writes to come only from here, never from the renderer.

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface DialogPort {
  /** An existing file to open, or null when the user cancels. */
  pickOpenPath(opts: { title: string; filters: FileFilter[] }): Promise<string | null>;
  /** A path to write, or null when the user cancels. */
  pickSavePath(opts: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
}
