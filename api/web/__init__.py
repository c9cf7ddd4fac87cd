"""The portal's web plumbing: the cookie session with its CSRF token, the page texts in nl
and en, and turning service errors into messages next to form fields."""
