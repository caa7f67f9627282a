"""Use cases: one function per thing a person does. Each owns its transaction."""
