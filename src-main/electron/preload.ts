/**
 * The sandboxed preload: `window.baton` is the contract's bridge and nothing
 * else; ipcRenderer itself never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { BatonBridge } from '../contract/transport';
import { createBridge } from './bridge';

const bridge = createBridge(ipcRenderer) satisfies BatonBridge;
contextBridge.exposeInMainWorld('baton', bridge);
