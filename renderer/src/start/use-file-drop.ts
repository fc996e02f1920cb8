import { useEffect, useState } from 'react';
import { openBundlePath } from '../actions/bundle-actions.js';
import { pathForFile } from '../ipc/explorer-api.js';
import { useNotices } from '../stores/notice-store.js';
import { importCommand } from './import-command.js';

function offerImport(path: string): void {
  const name = path.split(/[\\/]/).pop() ?? path;
  useNotices.getState().pushInfo(`${name} is a capture's records, not a bundle`, 'Import it into a bundle (sort, generate traces, write a .mstrace file), then open the bundle:', {
    command: importCommand(path),
    hint: 'put the capture’s meta.psv (tid|container|ip|container id) and its gateway in the command; a capture made with this app or `misertrace capture` is already a bundle',
    ttlMs: null,
  });
}

// A file dropped anywhere on the window opens as a bundle. The path comes from the preload
// (Electron's webUtils): the renderer itself never sees the file system. A capture's records
// (a .psv file: the original tool's sorted.psv or a raw capture) are not a bundle: the user is
// offered the import, with the command line that does it.

export function useFileDrop(): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0; // dragenter/leave fire for every child element; count them
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true;
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault(); // never let the browser navigate to the dropped file
      depth = 0;
      setOver(false);
      const files = e.dataTransfer?.files;
      if (!files || files.length === 0) return;
      if (files.length > 1) useNotices.getState().pushInfo('One bundle at a time', `opening ${files[0]!.name}; the other ${files.length - 1} file(s) were ignored`);
      const path = pathForFile(files[0]!);
      if (path === '') {
        useNotices.getState().pushError('Could not open the dropped file', { kind: 'file', message: `${files[0]!.name} has no path on disk`, hint: 'drop a file from a folder, or use Open bundle…' });
        return;
      }
      if (/\.psv$/i.test(path)) {
        offerImport(path);
        return;
      }
      void openBundlePath(path);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return over;
}
