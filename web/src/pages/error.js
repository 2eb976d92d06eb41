import '../css/app.css';
import { ready, startShell } from '../lib/shell.js';

startShell();
ready();
