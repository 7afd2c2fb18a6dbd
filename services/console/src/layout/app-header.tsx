import { HealthIndicator } from '../health/health-indicator.tsx';
import { hrefFor, type Route } from '../router/route.ts';
import { SignedIn } from '../session/signed-in.tsx';

const NAV = [
  { label: 'Inventory', route: { page: 'inventory' }, active: ['inventory'] },
  { label: 'Jobs', route: { page: 'jobs' }, active: ['jobs', 'job'] },
] as const;

export function AppHeader({ route }: { route: Route }) {
  return (
    <header className="app-header">
      <a className="brand" href={hrefFor({ page: 'inventory' })}>
        Ferry
      </a>
      <nav aria-label="Main">
        <ul>
          {NAV.map((item) => {
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
