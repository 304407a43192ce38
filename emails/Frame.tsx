import { Body, Container, Head, Html, Link, Preview, Text } from '@react-email/components';
import type { ReactNode } from 'react';
import { s } from './styles.js';

/** The shell shared by the transactional mails: preview line, brand, content, address and home link. */
export function Frame(p: { newsletterName: string; preview: string; homeUrl: string; postalAddress?: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{p.preview}</Preview>
      <Body style={s.body}>
        <Container style={s.container}>
          <Text style={s.brand}>{p.newsletterName}</Text>
          {p.children}
          {p.postalAddress ? <Text style={s.fine}>{p.postalAddress}</Text> : null}
          <Text style={s.fine}>
            <Link href={p.homeUrl} style={s.link}>
              {p.homeUrl}
            </Link>
          </Text>
        </Container>
      </Body>
    </Html>
  );
}
