"""The GraphQL surface: thin resolvers over the domain layer in `domain`."""
