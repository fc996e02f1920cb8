// Colours by container for the "colour by container" view: Paul Tol's "light" scheme (the
// figure's own palette family, docs/adr/0010), light enough for the black label text inside a
// bar. Containers take them in order of first appearance in the trace; past nine, they repeat.

const LIGHT = ['#77AADD', '#EE8866', '#EEDD88', '#FFAABB', '#99DDFF', '#44BB99', '#BBCC33', '#AAAA00', '#DDDDDD'];

export function containerColours(containers: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of containers) if (!out.has(c)) out.set(c, LIGHT[out.size % LIGHT.length]!);
  return out;
}
