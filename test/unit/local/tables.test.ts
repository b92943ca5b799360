import { describe, expect, it } from 'vitest';
import { system } from '../../../infra/system';
import { createTableInput, tableStateProblem } from '../../../local/tables';

const roster = system.tables.roster;
/** The roster table as `npm start` creates it from the definition, as DescribeTable returns it. */
const asCreated = () => {
  const input = createTableInput('san-roster', roster);
  return { KeySchema: input.KeySchema, GlobalSecondaryIndexes: input.GlobalSecondaryIndexes };
};

describe('local table state', () => {
  it('accepts a table made from the current definition', () => {
    expect(tableStateProblem('roster', asCreated(), roster, '.san-local')).toBeUndefined();
  });

  it('creates the roster index by child with only the attributes routing reads', () => {
    const byChild = asCreated().GlobalSecondaryIndexes?.find((i) => i.IndexName === 'byChild');
    expect(byChild?.KeySchema?.map((k) => k.AttributeName)).toEqual(['childId', 'comuna']);
    expect(byChild?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['provisional', 'cut'],
    });
  });

  it('refuses a roster table an earlier version made without the index by child, and says to reset', () => {
    const earlier = asCreated();
    earlier.GlobalSecondaryIndexes = earlier.GlobalSecondaryIndexes?.filter((i) => i.IndexName !== 'byChild');
    const problem = tableStateProblem('roster', earlier, roster, '.san-local');
    expect(problem).toMatch(
      /roster table has byAlert .*byScore .* but the system now defines .*byChild \(childId, comuna; cut, provisional\)/,
    );
    expect(problem).toContain('--reset');
  });

  it('refuses an index whose keys or projection changed', () => {
    const other = asCreated();
    other.GlobalSecondaryIndexes = other.GlobalSecondaryIndexes?.map((i) =>
      i.IndexName === 'byChild' ? { ...i, Projection: { ProjectionType: 'ALL' } } : i,
    );
    expect(tableStateProblem('roster', other, roster, '.san-local')).toContain('--reset');
  });
});
