import { useEffect } from 'react';

import { AdminPage } from './admin/admin-page.tsx';
import { HealthPage } from './health/health-page.tsx';
import { InventoryPage } from './inventory/inventory-page.tsx';
import { JobPage } from './job/job-page.tsx';
import { JobsPage } from './jobs/jobs-page.tsx';
import { AppHeader } from './layout/app-header.tsx';
import { hrefFor } from './router/route.ts';
import { useRoute } from './router/use-route.ts';

export function App() {
  const route = useRoute();
  // Which page is shown: each job is a page of its own.
  const shown = route.page === 'job' ? `job/${route.id}` : route.page;

  // A new page: focus its main region so keyboard and screen-reader users start there.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [shown]);

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <AppHeader route={route} />
      <main id="main" tabIndex={-1}>
        {route.page === 'inventory' ? <InventoryPage /> : null}
        {route.page === 'jobs' ? <JobsPage /> : null}
        {route.page === 'job' ? <JobPage key={route.id} id={route.id} /> : null}
        {route.page === 'health' ? <HealthPage /> : null}
        {route.page === 'admin' ? <AdminPage /> : null}
        {route.page === 'not-found' ? (
          <section>
            <h1>Not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>.{' '}
              <a href={hrefFor({ page: 'inventory' })}>Go to the inventory</a>.
            </p>
          </section>
        ) : null}
      </main>
    </>
  );
}
