/** Entry of the playground page. */
import './style.css';
import { Playground } from './app.ts';

const playground = new Playground(document.getElementById('app')!);
playground.start();
