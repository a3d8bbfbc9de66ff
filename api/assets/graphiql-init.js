// Mounts GraphiQL against this server's own /graphql endpoint. Every query needs
// a bearer token, so the headers editor starts open with the header to fill in;
// `api token --role analyst --ttl 8h` prints one. Headers persist in localStorage
// so the token survives a reload.
(function () {
  var defaultQuery = [
    '# Paste a token into the Headers tab below:',
    '#   {"Authorization": "Bearer <output of `api token --role analyst --ttl 8h`>"}',
    '# then press the refresh button in the docs pane to load the schema.',
    '',
    'query LatestBookings {',
    '  bookings(first: 10) {',
    '    totalCount',
    '    edges {',
    '      node { id partner reference status tripStart destination { code name } }',
    '    }',
    '    pageInfo { hasNextPage endCursor }',
    '  }',
    '}',
    '',
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultHeaders: JSON.stringify({ Authorization: 'Bearer ' }, null, 2),
      defaultEditorToolsVisibility: 'headers',
    })
  );
})();
