import { describe, expect, it } from 'vitest';
import { system } from '../../../infra/system';
import { createTableInput, indexesDiffer } from '../../../local/tables';

const roster = system.tables.roster;
/** The roster table as `npm start` creates it from the definition, as DescribeTable returns it. */
const asCreated = () => {
  const input = createTableInput('san-roster', roster);
  return { KeySchema: input.KeySchema, GlobalSecondaryIndexes: input.GlobalSecondaryIndexes };
};

describe('local table state', () => {
  it('accepts a table made from the current definition', () => {
    expect(indexesDiffer(asCreated(), roster)).toBeUndefined();
  });

  it('creates the roster index by child with only the attributes routing reads', () => {
    const byChild = asCreated().GlobalSecondaryIndexes?.find((i) => i.IndexName === 'byChild');
    expect(byChild?.KeySchema?.map((k) => k.AttributeName)).toEqual(['childId', 'comuna']);
    expect(byChild?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['provisional', 'cut'],
    });
  });

  it('tells a roster table an earlier version made without the index by child', () => {
    const earlier = asCreated();
    earlier.GlobalSecondaryIndexes = earlier.GlobalSecondaryIndexes?.filter((i) => i.IndexName !== 'byChild');
    const problem = indexesDiffer(earlier, roster);
    expect(problem).toMatch(
      /has byAlert .*byScore .* but the system now defines .*byChild \(childId, comuna; cut, provisional\)/,
    );
  });

  it('tells an index whose keys or projection changed', () => {
    const other = asCreated();
    other.GlobalSecondaryIndexes = other.GlobalSecondaryIndexes?.map((i) =>
      i.IndexName === 'byChild' ? { ...i, Projection: { ProjectionType: 'ALL' } } : i,
    );
    expect(indexesDiffer(other, roster)).toContain('byChild');
  });
});
