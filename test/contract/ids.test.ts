// The names a relink is known by: the marker in its holding entry, which tells one run of a patron's relink from the
// next, and what a description says about it.
import { markerFor, markersIn, relinkIdOf, relinkIdsIn, runTagOf, sweepRestoreWorkflowId } from '../../src/contract';

describe('markers', () => {
  it("carries the run's tag after the relink id, and nothing more for a relink started before run markers", () => {
    expect(markerFor('relink-p1', '0a1b2c3d')).toBe('[alma-relink:relink-p1:0a1b2c3d]');
    expect(markerFor('relink-p1')).toBe('[alma-relink:relink-p1]');
  });

  it("takes the run's tag from the random end of its run id, a UUID v4 or v7 alike", () => {
    expect(runTagOf('0190f5c4-7a3e-7b1c-9d2e-4F5A6B7C8D9E')).toBe('6b7c8d9e');
    // Two UUID v7 ids of the same minute share their first digits, never their last.
    expect(runTagOf('0190f5c4-7a3e-7000-8000-000000000001')).not.toBe(runTagOf('0190f5c4-7a3e-7000-8000-000000000002'));
  });

  it('reads old and new markers, each once, with the relink id and the run', () => {
    const text = `${markerFor('relink-a.b@c', '0a1b2c3d')} x ${markerFor('relink-p2')} ${markerFor('relink-p2')} [other]`;
    expect(markersIn(text)).toEqual([
      { marker: '[alma-relink:relink-a.b@c:0a1b2c3d]', workflowId: 'relink-a.b@c', run: '0a1b2c3d' },
      { marker: '[alma-relink:relink-p2]', workflowId: 'relink-p2' },
    ]);
    expect(relinkIdsIn(text)).toEqual(['relink-a.b@c', 'relink-p2']);
    expect(markersIn(null)).toEqual([]);
  });

  it('names one relink for two runs of it, and tells the runs apart', () => {
    const text = `${markerFor('relink-p1', '0a1b2c3d')} ${markerFor('relink-p1', 'ffffffff')} ${markerFor('relink-p1')}`;
    expect(relinkIdsIn(text)).toEqual(['relink-p1']);
    expect(markersIn(text).map((m) => m.run)).toEqual(['0a1b2c3d', 'ffffffff', undefined]);
  });

  it('says which relink a marker names, and nothing for a text that is not one marker', () => {
    expect(relinkIdOf(markerFor('relink-p1', '0a1b2c3d'))).toBe('relink-p1');
    expect(relinkIdOf(markerFor('relink-p1'))).toBe('relink-p1');
    expect(relinkIdOf(`${markerFor('relink-p1')} more`)).toBeUndefined();
    expect(relinkIdOf('[alma-relink:relink-p1')).toBeUndefined();
  });

  it("names the sweep's restore of a relink, which a new relink of the patron waits for", () => {
    expect(sweepRestoreWorkflowId('relink-p1')).toBe('sweep-restore-relink-p1');
  });
});
