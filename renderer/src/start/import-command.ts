// The `misertrace bundle import` line for a capture's records file: meta.psv beside it (as the
// original tool writes them), the output named after the folder or the file.

function quote(p: string): string {
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

export function importCommand(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = cut >= 0 ? path.slice(0, cut) : '.';
  const sep = cut >= 0 ? path[cut]! : '/';
  const file = path.slice(cut + 1);
  const isMeta = /^meta\.psv$/i.test(file);
  const input = isMeta ? `${dir}${sep}sorted.psv` : path;
  const stem = isMeta || /^sorted\.psv$/i.test(file) ? (dir.split(/[\\/]/).pop() || 'capture') : file.replace(/\.psv$/i, '');
  return `misertrace bundle import -i ${quote(input)} -m ${quote(`${dir}${sep}meta.psv`)} -g GATEWAY_IP -o ${quote(`${dir}${sep}${stem}.mstrace`)}`;
}
