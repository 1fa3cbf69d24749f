import type { Page } from '@playwright/test';

/** Unfolds the launch form's fields past the essentials, as a person clicks "More options". */
export async function unfoldMoreOptions(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'More options' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}
