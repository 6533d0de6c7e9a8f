import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import type { Team } from '../api/types';

/**
 * useTeams lists the teams for whoever may (users.read, users.manage or
 * conversations.assign; enabled says so); for anyone else, and while it
 * loads or after an error, the list is empty, and team names are simply
 * not shown.
 */
export function useTeams(enabled: boolean): Team[] {
  const [teams, setTeams] = useState<Team[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    api
      .teams()
      .then((p) => live && setTeams(p.items ?? []))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [enabled]);
  return teams;
}

/** mayListTeams says whether a role's permissions let it list the teams. */
export function mayListTeams(perms: readonly string[]): boolean {
  return perms.includes('users.read') || perms.includes('users.manage') || perms.includes('conversations.assign');
}
