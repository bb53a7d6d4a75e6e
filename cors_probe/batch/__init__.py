"""`cors-probe run`: a policy file of expected CORS behaviour, checked concurrently, CI-native."""
