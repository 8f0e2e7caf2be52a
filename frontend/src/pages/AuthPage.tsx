import { useMutation } from '@apollo/client';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { buttonPrimary, card, FieldError, inputClass, labelClass } from '../components/ui';
import { LOG_IN, SIGN_UP } from '../graphql/operations';
import { useAuth } from '../lib/auth';
import { describeError, fieldProblem, withoutFields } from '../lib/errors';

/** Sign-up and log-in share one form; both land on Generate (or where the user was going). */
export function AuthPage({ mode }: { mode: 'signup' | 'login' }) {
  const id = useId();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [signUp, signUpState] = useMutation(SIGN_UP);
  const [logIn, logInState] = useMutation(LOG_IN);
  const state = mode === 'signup' ? signUpState : logInState;
  const problems = describeError(state.error);
  const fieldMsg = (f: string) => {
    const p = fieldProblem(problems, f);
    return p ? (p.detail ?? p.title) : undefined;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const token =
        mode === 'signup'
          ? (await signUp({ variables: { input: { email, password, displayName } } })).data?.signUp.token
          : (await logIn({ variables: { input: { email, password } } })).data?.logIn.token;
      if (token) {
        await signIn(token);
        const next = params.get('next');
        navigate(next && next.startsWith('/') ? next : '/generate', { replace: true });
      }
    } catch {
      // Shown through `state.error`.
    }
  };

  const title = mode === 'signup' ? 'Create your account' : 'Welcome back';
  return (
    <div className="mx-auto max-w-md">
      <div className={card}>
        <h1 className="mb-1 text-2xl font-bold tracking-tight">{title}</h1>
        <p className="mb-6 text-sm text-zinc-500 dark:text-zinc-400">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link to="/login" className="font-medium text-violet-600 hover:underline dark:text-violet-400">Log in</Link>
            </>
          ) : (
            <>
              New here? <Link to="/signup" className="font-medium text-violet-600 hover:underline dark:text-violet-400">Create an account</Link>
            </>
          )}
        </p>
        <form onSubmit={submit} className="space-y-4" aria-label={title}>
          {mode === 'signup' ? (
            <div>
              <label htmlFor={`${id}-name`} className={labelClass}>Display name</label>
              <input
                id={`${id}-name`}
                name="displayName"
                required
                autoComplete="nickname"
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
                className={inputClass}
                aria-invalid={fieldMsg('displayName') ? true : undefined}
                aria-describedby={`${id}-name-error`}
              />
              <FieldError id={`${id}-name-error`}>{fieldMsg('displayName')}</FieldError>
            </div>
          ) : null}
          <div>
            <label htmlFor={`${id}-email`} className={labelClass}>Email</label>
            <input
              id={`${id}-email`}
              name="email"
              type="email"
              required
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              className={inputClass}
              aria-invalid={fieldMsg('email') ? true : undefined}
              aria-describedby={`${id}-email-error`}
            />
            <FieldError id={`${id}-email-error`}>{fieldMsg('email')}</FieldError>
          </div>
          <div>
            <label htmlFor={`${id}-password`} className={labelClass}>Password</label>
            <input
              id={`${id}-password`}
              name="password"
              type="password"
              required
              minLength={mode === 'signup' ? 10 : undefined}
              autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={inputClass}
              aria-invalid={fieldMsg('password') ? true : undefined}
              aria-describedby={`${id}-password-error`}
            />
            {mode === 'signup' && !fieldMsg('password') ? (
              <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">At least 10 characters.</p>
            ) : null}
            <FieldError id={`${id}-password-error`}>{fieldMsg('password')}</FieldError>
          </div>
          <ErrorMessage problems={withoutFields(problems, ['email', 'password', 'displayName'])} />
          <button type="submit" className={`${buttonPrimary} w-full`} disabled={state.loading}>
            {state.loading ? 'Please wait…' : mode === 'signup' ? 'Sign up' : 'Log in'}
          </button>
        </form>
      </div>
    </div>
  );
}
