import { beforeAll } from 'vitest';
import { preloadCharts } from '../../src-renderer/components/charts/lazy-charts';

beforeAll(async () => {
  await preloadCharts();
});
