/**
 * Entry of `dist/sandcell-frame.html`, the frame document for pages that serve it themselves
 * (the `frameURL` session option — e.g. a page whose own Content-Security-Policy would block
 * the inline boot script of a `srcdoc` frame, which inherits it).
 */
import { bootSessionFrame } from './boot.ts';

bootSessionFrame();
