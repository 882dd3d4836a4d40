import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of the gateway's routes, built from the controllers once at start, at GET /api/docs. */
export function serveOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Takes')
      .setDescription("Takes' HTTP API: Rocket's routes and shapes, plus offline sync and the takes")
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  app.getHttpAdapter().getInstance().get('/api/docs', async () => document);
}
