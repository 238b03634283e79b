// Numbers for people: 1,234 files, 2.3 MB, 1.2 s; and sizes as people write them (2M, 512K).

/** 1234567 → "1,234,567". Not toLocaleString: its first call loads ICU data (~30 ms of a 150 ms command). */
export function formatCount(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * A size as ripgrep's --max-filesize takes it: a whole number of bytes, or one with a K, M or G suffix (powers of
 * 1024), optionally written KiB/MiB/GiB as quarry prints sizes; case does not matter. null when it is not one.
 */
export function parseByteSize(text: string): number | null {
  const m = /^(\d+)([kmg](?:ib)?)?$/i.exec(text.trim());
  if (m === null) return null;
  const unit = (m[2] ?? '').charAt(0).toLowerCase();
  const n = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
  return Number.isSafeInteger(n) ? n : null;
}
