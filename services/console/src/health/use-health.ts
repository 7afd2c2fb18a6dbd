import { useEffect } from 'react';

import { HEALTH_QUERY } from '../api/operations.ts';
import type { HealthQuery } from '../api/generated/graphql.ts';
import { useQuery, type QueryState } from '../hooks/use-query.ts';

/** The gateway's health, asked again every `everyMs`. */
export function useHealth(everyMs = 30_000): QueryState<HealthQuery> {
  const query = useQuery(HEALTH_QUERY);
  const { refetch } = query;
  useEffect(() => {
    const timer = setInterval(refetch, everyMs);
    return () => clearInterval(timer);
  }, [refetch, everyMs]);
  return query;
}
