import { HealthIndicator } from '../health/health-indicator.tsx';
import { mayAdminister } from '../api/session.ts';
import { hrefFor, type Route } from '../router/route.ts';
import { useSession } from '../session/session-context.ts';
import { SignedIn } from '../session/signed-in.tsx';

const NAV = [
  { label: 'Inventory', route: { page: 'inventory' }, active: ['inventory'], admin: false },
  { label: 'Jobs', route: { page: 'jobs' }, active: ['jobs', 'job'], admin: false },
  { label: 'Admin', route: { page: 'admin' }, active: ['admin'], admin: true },
] as const;

export function AppHeader({ route }: { route: Route }) {
  const admin = mayAdminister(useSession());
  return (
    <header className="app-header">
      <a className="brand" href={hrefFor({ page: 'inventory' })}>
        Ferry
      </a>
      <nav aria-label="Main">
        <ul>
          {NAV.filter((item) => admin || !item.admin).map((item) => {
            const current = (item.active as readonly string[]).includes(route.page);
            return (
              <li key={item.label}>
                <a href={hrefFor(item.route)} aria-current={current ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <HealthIndicator />
      <SignedIn />
    </header>
  );
}
