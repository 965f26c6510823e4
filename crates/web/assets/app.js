// 强基: small enhancements only; every page works without this script.
// Expands the organization tree in place by fetching one level as HTML.
document.addEventListener('click', async (ev) => {
  const btn = ev.target.closest('button.expand');
  if (!btn) return;
  const li = btn.closest('li');
  const open = li.querySelector(':scope > ul.tree');
  if (open) { open.remove(); btn.textContent = '+'; btn.setAttribute('aria-label', '展开'); return; }
  btn.disabled = true;
  try {
    const res = await fetch('/orgs/' + btn.dataset.org + '/children', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(res.status);
    const html = await res.text();
    const tmp = document.createElement('div');
    tmp.innerHTML = html;
    const ul = tmp.querySelector('ul.tree');
    if (ul) { li.appendChild(ul); btn.textContent = '−'; btn.setAttribute('aria-label', '收起'); }
    else { btn.textContent = '·'; }
  } catch (e) {
    btn.textContent = '!'; btn.title = '加载失败，请刷新页面';
  } finally { btn.disabled = false; }
});
// Filters submit on change so that a phone user need not find the button.
document.querySelectorAll('form.filters select').forEach((s) => s.addEventListener('change', () => s.form.submit()));
// Print pages: the toolbar's button prints (the CSP forbids an inline onclick).
document.getElementById('print')?.addEventListener('click', () => window.print());
