import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createApollo, LiveStatus } from './apollo';
import './styles.css';

const TOKEN_KEY = 'tts.token';

function Root() {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN_KEY));
  const [live, setLive] = useState<LiveStatus>('connecting');
  const apollo = useMemo(() => createApollo(token, setLive), [token]);
  useEffect(() => () => apollo.dispose(), [apollo]);
  const onToken = (next: string | null) => {
    if (next) localStorage.setItem(TOKEN_KEY, next);
    else localStorage.removeItem(TOKEN_KEY);
    setLive('connecting');
    setToken(next);
  };
  return (
    <ApolloProvider client={apollo.client}>
      <App token={token} onToken={onToken} live={live} />
    </ApolloProvider>
  );
}

// No StrictMode: its double effects in development would dispose the client (and its socket) it just built.
createRoot(document.getElementById('root')!).render(<Root />);
