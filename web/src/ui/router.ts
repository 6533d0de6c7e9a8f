// The router lives in the state layer (src/state/router.ts), which must not
// import UI modules; screens keep importing it from here.
export { match, navigate, onLinkClick, usePath, type Route } from '../state/router';
