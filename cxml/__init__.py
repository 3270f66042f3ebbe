"""The cXML surface: parsing and building cXML documents, and the HTTP route for them."""
