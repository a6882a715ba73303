import { binaryCopyOf } from './meter.repository';

/** The binary COPY encoding of readings (issue 12, target 2), against Postgres's documented layout. */
describe('binaryCopyOf', () => {
  const id = '0b5e3a2c-1d4f-4a6b-9c8d-00000000002a';

  it('writes the header, one tuple of four fields per reading (NULL as length -1) and the trailer', () => {
    const buf = binaryCopyOf([
      { meterId: id, readAt: new Date('2025-03-01T00:15:00.123Z'), cumulativeVolume: 1234.5, flowRate: 2.25 },
      { meterId: id, readAt: new Date('2025-03-01T00:30:00Z'), cumulativeVolume: 0.1, flowRate: null },
    ]);
    expect(buf.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(buf.readInt32BE(11)).toBe(0);
    expect(buf.readInt32BE(15)).toBe(0);
    let o = 19;
    expect(buf.readInt16BE(o)).toBe(4);
    expect(buf.readInt32BE(o + 2)).toBe(16);
    expect(buf.subarray(o + 6, o + 22).toString('hex')).toBe(id.replace(/-/g, ''));
    expect(buf.readInt32BE(o + 22)).toBe(8);
    expect(buf.readBigInt64BE(o + 26)).toBe(BigInt(Date.parse('2025-03-01T00:15:00.123Z') - Date.parse('2000-01-01T00:00:00Z')) * 1000n);
    expect(buf.readDoubleBE(o + 38)).toBe(1234.5);
    expect(buf.readDoubleBE(o + 50)).toBe(2.25);
    o += 58;
    expect(buf.readDoubleBE(o + 38)).toBe(0.1);
    expect(buf.readInt32BE(o + 46)).toBe(-1);
    o += 50;
    expect(buf.readInt16BE(o)).toBe(-1);
    expect(buf.length).toBe(o + 2);
  });

  it('encodes instants before 2000-01-01 UTC (the earliest allowed is that day in China time) as negative microseconds', () => {
    const at = new Date('1999-12-31T16:00:00.001Z');
    const buf = binaryCopyOf([{ meterId: id, readAt: at, cumulativeVolume: 0, flowRate: null }]);
    expect(buf.readBigInt64BE(19 + 26)).toBe(BigInt(at.getTime() - Date.parse('2000-01-01T00:00:00Z')) * 1000n);
  });
});
