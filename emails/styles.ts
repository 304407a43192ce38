import type { CSSProperties } from 'react';

/** Shared inline styles of the transactional mails (inline because mail clients strip <style> unevenly). */
export const s = {
  body: { backgroundColor: '#f6f7f9', margin: 0, padding: '24px 0', fontFamily: '-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif' },
  container: { backgroundColor: '#ffffff', border: '1px solid #e3e6eb', borderRadius: '12px', maxWidth: '560px', margin: '0 auto', padding: '32px 28px' },
  brand: { fontSize: '13px', fontWeight: 700, letterSpacing: '0.08em', textTransform: 'uppercase', color: '#2447d6', margin: '0 0 16px' },
  h1: { fontSize: '24px', lineHeight: '1.25', color: '#16181d', margin: '0 0 16px' },
  text: { fontSize: '16px', lineHeight: '1.6', color: '#16181d', margin: '0 0 16px' },
  button: { backgroundColor: '#2447d6', color: '#ffffff', borderRadius: '10px', fontSize: '16px', fontWeight: 600, padding: '12px 22px', textDecoration: 'none', display: 'inline-block' },
  fine: { fontSize: '13px', lineHeight: '1.5', color: '#5b6270', margin: '0 0 8px' },
  link: { color: '#2447d6', wordBreak: 'break-all' },
  hr: { borderColor: '#e3e6eb', margin: '24px 0' },
} satisfies Record<string, CSSProperties>;
