import type { Page } from '@playwright/test';

/** The page as it is now, in light and in dark mode. */
export async function shoot(page: Page, testInfo: { outputPath(name: string): string }, name: string): Promise<void> {
  // From the top: a full-page shot of a scrolled page draws the sticky header mid-page. (As text: this
  // module is type-checked with node's libraries, which have no window.)
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: testInfo.outputPath(`${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
