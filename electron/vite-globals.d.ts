// Defined by Electron Forge's Vite plugin when it builds main (absent in a plain `vite build`,
// which main.ts checks with typeof).
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string | undefined;
