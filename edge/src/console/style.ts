// The console's stylesheet: plain CSS, system fonts, a visible focus ring on everything focusable.
// Inlined in the page and allowed by its hash in the CSP (routes/console.ts).
export const consoleStyle = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #59636e; --line: #d0d7de; --accent: #0b57d0; --yes: #1a7f37; --no: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: .6rem 1.2rem; display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 1.15rem; margin: 0; }
nav a { margin-right: .4rem; padding: .35rem .7rem; border-radius: 6px; color: var(--accent); text-decoration: none; }
nav a[aria-current="page"] { background: var(--accent); color: #fff; }
main { max-width: 1080px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
section.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
h2 { font-size: 1.1rem; margin: .2rem 0 .8rem; } h3 { font-size: 1rem; margin: .2rem 0 .6rem; }
label { font-weight: 600; } .hint, figcaption, .muted { color: var(--muted); font-size: .88rem; font-weight: normal; }
input, select, button { font: inherit; }
input[type=text], input[type=password], input[type=number], select { padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; }
button { padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); } button.danger { background: var(--no); border-color: var(--no); }
button[aria-disabled=true] { opacity: .45; cursor: not-allowed; }
:focus-visible { outline: 3px solid #ff9f1c; outline-offset: 2px; }
.row { display: flex; gap: 1rem; flex-wrap: wrap; align-items: flex-start; } .row > * { flex: 1 1 300px; }
.drop { display: block; border: 2px dashed var(--line); border-radius: 8px; padding: .8rem; margin: .4rem 0; }
.drop.over { border-color: var(--accent); background: #eef4ff; }
.drop input { display: block; margin-top: .4rem; }
.previews { display: flex; flex-wrap: wrap; gap: .6rem; }
figure { margin: .4rem 0; display: flex; gap: .5rem; align-items: flex-start; flex-wrap: wrap; max-width: 520px; }
figure canvas { border: 1px solid var(--line); background: #eee; } canvas.crop { width: 150px; height: 150px; }
figure.photo .stage { position: relative; line-height: 0; } .stage svg.faces { position: absolute; inset: 0; overflow: visible; }
canvas.thumb { display: block; } .faces-found { color: var(--ink); } .face-problem { color: var(--no); }
figcaption { flex-basis: 100%; }
.options { margin: .5rem 0; } .options .option { margin-right: 1rem; }
.offer { border-left: 4px solid #9a6700; background: #fff8e6; padding: .5rem .7rem; margin: .6rem 0; }
.error { color: var(--no); background: #fdecea; border-left: 4px solid var(--no); padding: .5rem .7rem; }
.note { color: var(--yes); }
.verdict { font-size: 1.2rem; font-weight: 700; margin: .4rem 0; } .verdict.yes { color: var(--yes); } .verdict.no { color: var(--no); }
.bar { position: relative; height: 14px; background: #eaeef2; border-radius: 7px; min-width: 160px; margin: .3rem 0; }
.bar .fill { position: absolute; inset: 0 auto 0 0; border-radius: 7px; } .fill.yes { background: var(--yes); } .fill.no { background: #8c959f; }
.bar .mark { position: absolute; top: -4px; bottom: -4px; width: 3px; background: var(--ink); }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
.stale { color: #9a6700; font-weight: 600; }
tr.current { background: #eef4ff; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
dialog { border: 1px solid var(--line); border-radius: 8px; max-width: 420px; } dialog::backdrop { background: rgb(0 0 0 / .35); }
.actions { display: flex; gap: .5rem; justify-content: flex-end; }
`;
